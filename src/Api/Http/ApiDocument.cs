using Embever.Actors.Api.Gateway;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Embever.Actors.Api.Http;

/// <summary>
/// What the served OpenAPI document says beyond what the endpoints' types give: its title and
/// the token flow, the two ways to authenticate (a bearer access token for <c>/v2</c>, HTTP Basic
/// with the device's id and password for the gateway) and which operations need which, and
/// timestamps as <c>date-time</c> strings (the API writes them with a converter of its own).
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "bearer";
    public const string DeviceScheme = "device";

    private const string Introduction = """
        Embever Actors implements the Embever IoT Core API v2: devices, actions buffered until a device wakes
        (one per type, newer overriding older, service levels 0-2, cancel, expiry), events, signed webhooks and
        firmware updates over the air.

        **Authenticating.** `POST /v2/authenticate/` with an organisation or application token (`{"token": "…"}`)
        answers a short-lived access token and a refresh token. Send the access token as
        `Authorization: Bearer <access token>` on every other `/v2` call; renew it with
        `POST /v2/authenticate/refresh/`. An organisation token sees its whole organisation, an application
        token only its application's devices; the operator token (written at the first start) creates
        organisations.

        **Devices** use the gateway, not `/v2`: one `POST /gateway/v1/exchange` per wakeup with HTTP Basic
        authentication (device id and password), carrying events, acknowledgements and responses, and answering
        the actions to perform.

        Lists take `limit` (default 100, at most 1000) and `offset`, and answer `X-Total-Count` and a `Link`
        header (first, next, prev, last). Errors are `application/problem+json`; invalid fields give one 400
        whose `errors` names every one.
        """;

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = "Embever IoT Core API v2", Version = "2.0", Description = Introduction };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The access token from POST /v2/authenticate/.",
            };
            document.Components.SecuritySchemes[DeviceScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "The device's id and password (device gateway only).",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var scheme = metadata.OfType<DeviceCredentials.Required>().Any() ? DeviceScheme
                : metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() ? BearerScheme
                : null;
            if (scheme is not null)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
            }

            return Task.CompletedTask;
        });

        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type == typeof(DateTime) || type == typeof(DateTime?))
            {
                schema.Type = type == typeof(DateTime) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                schema.Format = "date-time";
                schema.Examples ??= [System.Text.Json.Nodes.JsonValue.Create("2026-11-26T08:30:00.000000Z")];
            }

            return Task.CompletedTask;
        });
    }
}
