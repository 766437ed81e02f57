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

        **Authenticating.** `POST /v2/authenticate/` with an organisation or application token (`{"application_token": "…"}`)
        answers a short-lived access token and a refresh token. Send the access token as
        `Authorization: Bearer <access token>` on every other `/v2` call; renew it with
        `POST /v2/authenticate/refresh/`. An organisation token sees its whole organisation, an application
        token only its application's devices; the operator token (written at the first start) creates
        organisations.

        **Devices** use the gateway, not `/v2`: one `POST /gateway/v1/exchange` per wakeup with HTTP Basic
        authentication (device id and password), carrying events, acknowledgements and responses, and answering
        the actions to perform.

        Lists take `limit` (default 100, at most 1000) and `offset`, and answer `X-Total-Count` and a `Link`
        header (first, next, prev, last); events, actions and webhook deliveries also take `since`, `order`
        (`-created_at`: newest first) and `after` (a cursor from `Link`'s `next`, stable while objects are added).
        A query parameter a list does not know is a 400 naming it. Errors are `application/problem+json`;
        invalid fields give one 400 whose `errors` names every one.
        """;

    /// <summary>The tags of the endpoints, described.</summary>
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Health"] = "Liveness and readiness of one silo, for load balancers and orchestrators.",
        ["Entry point"] = "Links to every collection.",
        ["Authenticate"] = "Tokens in, access tokens out.",
        ["Organisations"] = "Tenants: their webhook-signing secret and the lifespan of their tokens.",
        ["Applications"] = "Groups of devices with their own tokens and webhook-signing secret.",
        ["Tokens"] = "Organisation and application tokens.",
        ["Devices"] = "Devices, their credentials and their event webhooks.",
        ["Actions"] = "What a device is to do when it next wakes.",
        ["Events"] = "What devices reported.",
        ["Firmwares"] = "Firmware images to roll out.",
        ["Deployments"] = "Firmware rollouts to devices.",
        ["Updates"] = "One device's firmware update within a deployment.",
        ["Webhook deliveries"] = "Every webhook fired and how its delivery went.",
        ["Device gateway"] = "What devices call: the exchange of a wakeup and file downloads.",
        ["Diagnostics"] = "Memory and activations of a silo (operator only).",
        ["Signing keys"] = "The JWT signing keys by id, and their rotation (operator only).",
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Embever IoT Core API v2",
                Version = "2.0",
                Description = Introduction,
                License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
                Contact = new OpenApiContact { Name = "Embever Actors maintainers" },
            };
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            // The API's paths end in a slash (as the v2 document writes them); the generator drops it.
            if (document.Paths is { } paths)
            {
                foreach (var path in paths.Keys.Where(p => p.StartsWith("/v2", StringComparison.Ordinal) && !p.EndsWith('/')).ToList())
                {
                    paths.Add(path + "/", paths[path]);
                    paths.Remove(path);
                }
            }

            document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
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

        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<DocumentedBody>().FirstOrDefault() is { } body)
            {
                // A named schema, so that generated clients name the request type too.
                var name = body.Type.Name;
                context.Document!.Components ??= new OpenApiComponents();
                context.Document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                if (!context.Document.Components.Schemas.ContainsKey(name))
                {
                    context.Document.Components.Schemas[name] = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
                }

                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = !body.Optional,
                    Content = body.ContentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(name, context.Document) }),
                };
            }

            var scheme = metadata.OfType<DeviceCredentials.Required>().Any() ? DeviceScheme
                : metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() ? BearerScheme
                : null;
            // Anonymous operations say so explicitly (an empty requirement list).
            operation.Security = scheme is null ? [] : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
            if (operation.Responses is { } answers && !answers.Keys.Any(k => k.StartsWith('4')))
            {
                // Any request may be refused before it reaches its endpoint (a NUL character in the path or query).
                answers["400"] = new OpenApiResponse { Description = "The request cannot be read." };
            }

            if (scheme is not null && operation.Responses is { } responses && !responses.ContainsKey("401"))
            {
                responses["401"] = new OpenApiResponse { Description = scheme == BearerScheme ? "No valid access token." : "Wrong or missing device credentials." };
            }

            // Lists and imports queue for the store and are refused when its queue is full (StoreBusyExceptionHandler); lists past the silo's list rate too (ListRateLimit).
            var queued = operation.OperationId == "importDevices"
                || (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse { Content: { } okContent }
                    && okContent.TryGetValue("application/json", out var okJson) && okJson.Schema?.Type == JsonSchemaType.Array);
            if (queued && operation.Responses is { } busy && !busy.ContainsKey("503"))
            {
                busy["503"] = new OpenApiResponse { Description = "The silo is busy (the store's queue for this work is full, or more list pages were asked than it serves a second): try again as Retry-After says (problem+json naming the resource)." };
            }

            DescribeHeaders(operation);
            if (metadata.OfType<ListQuery>().FirstOrDefault() is { IsIncremental: true })
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(TextQuery("since", "Only objects created at or after this time (RFC 3339).", "date-time"));
                operation.Parameters.Add(TextQuery("order", "`created_at` (oldest first, the default) or `-created_at` (newest first).", null, ["created_at", "-created_at"]));
                operation.Parameters.Add(TextQuery("after", "The cursor of the `Link` header's `next`: the page after it, stable while objects are added (not with `offset`).", null));
            }
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

            // Maps and free-form objects: say what their values are (an object with no properties
            // and no additionalProperties reads as "always empty" to client generators).
            var info = context.JsonTypeInfo;
            if (schema.AdditionalProperties is null && (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Dictionary || type == typeof(System.Text.Json.Nodes.JsonObject)))
            {
                schema.AdditionalProperties = info.ElementType == typeof(DateTime)
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }
                    : new OpenApiSchema();
            }

            // A PATCH member that may be left out but not sent as null ([DisallowNull]) is not nullable on the wire.
            if (context.JsonPropertyInfo is { IsSetNullable: false } && schema.Type is { } nullable && nullable.HasFlag(JsonSchemaType.Null))
            {
                schema.Type = nullable & ~JsonSchemaType.Null;
            }

            if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(OneOfAttribute), true) is [OneOfAttribute oneOf, ..])
            {
                schema.Enum = [.. oneOf.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v))];
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// What every list, every creation and every refusal to wait says in its headers, and the
    /// paging parameters every list takes (<see cref="Paging"/>): written once here rather than
    /// on each of the endpoints.
    /// </summary>
    private static void DescribeHeaders(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse described)
            {
                continue;
            }

            described.Headers ??= new Dictionary<string, IOpenApiHeader>();
            var isList = status == "200" && described.Content?.TryGetValue("application/json", out var json) == true && json.Schema?.Type == JsonSchemaType.Array;
            if (isList)
            {
                described.Headers["X-Total-Count"] = Header("How many objects the list has in all.", JsonSchemaType.Integer);
                described.Headers["X-Total-Count-Exact"] = Header("`false` when the total of a list over 10,000 objects was reused or estimated (it may lag up to a minute); absent when exact.", JsonSchemaType.String);
                described.Headers["Link"] = Header("RFC 8288 links to the first, next, prev and last pages.", JsonSchemaType.String);
                operation.Parameters ??= [];
                operation.Parameters.Add(Query("limit", $"Objects per page, 1 to {Paging.MaxLimit}.", Paging.DefaultLimit, 1, Paging.MaxLimit));
                operation.Parameters.Add(Query("offset", "Objects to skip.", 0, 0, Paging.MaxOffset));
            }

            switch (status)
            {
                case "201":
                    described.Headers["Location"] = Header("The URL of what was created.", JsonSchemaType.String);
                    break;
                case "206":
                    described.Headers["Content-Range"] = Header("The bytes sent of the whole (RFC 9110).", JsonSchemaType.String);
                    break;
                case "429" or "503":
                    described.Headers["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer);
                    break;
            }

            if (operation.OperationId is "downloadFile" or "describeFile" && status is "200" or "206")
            {
                described.Headers["ETag"] = Header("The file's SHA-256: resume a download with If-Range.", JsonSchemaType.String);
                described.Headers["Accept-Ranges"] = Header("bytes", JsonSchemaType.String);
            }
        }
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };

    private static OpenApiParameter TextQuery(string name, string description, string? format, string[]? values = null) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Format = format,
            Enum = values?.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v)!).ToList(),
        },
    };

    private static OpenApiParameter Query(string name, string description, long fallback, long minimum, long maximum) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int64",
            Default = System.Text.Json.Nodes.JsonValue.Create(fallback),
            Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
