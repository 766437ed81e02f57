using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Reads a typed request body in three steps, each naming every bad field it finds: the JSON
/// itself (<see cref="JsonBody"/>: size, media type, syntax, text), its shape against the type
/// (<see cref="RequestShape"/>: unknown, missing and mistyped fields), then the values
/// (<see cref="RequestRules"/>: lengths, ranges, URLs, times). A body that fails is answered
/// by the endpoint filter this adds to every endpoint taking one, and its handler never runs.
/// </summary>
public static class RequestBody
{
    /// <summary>Reads, checks and binds a body; null with the problem kept for the filter when it is bad.</summary>
    public static async ValueTask<T?> BindAsync<T>(HttpContext context)
        where T : class, IRequestBody<T>
    {
        var (body, problem) = await ReadAsync<T>(context);
        if (problem is not null)
        {
            context.Features.Set(new Refusal(problem));
        }

        return body;
    }

    /// <summary>The same, called by a handler that must admit the caller before it reads a byte (the gateway).</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpContext context)
        where T : class, IRequestBody<T>
    {
        var (json, problem) = await JsonBody.ReadObjectAsync(context.Request, T.BodyLimitFor(context), T.EmptyIsObject);
        return problem is not null ? (null, problem) : await BindAsync<T>(json, context);
    }

    /// <summary>Checks and binds a body already parsed (a multipart form's fields).</summary>
    public static async Task<(T? Body, IResult? Problem)> BindAsync<T>(JsonElement json, HttpContext context)
        where T : class, IRequestBody<T>
    {
        var errors = new FieldErrors();
        if (Bind<T>(json, context.RequestServices, errors) is not { } body)
        {
            return (null, errors.Problem());
        }

        await T.CheckAsync(body, context, errors);
        return errors.IsEmpty ? (body, null) : (null, errors.Problem());
    }

    /// <summary>
    /// The checks that need no HTTP request (a CoAP exchange's payload): the shape, then the
    /// members' rules and the rules across them. Null when the shape is wrong; otherwise the body,
    /// which the caller must not use unless <paramref name="errors"/> stays empty.
    /// </summary>
    public static T? Bind<T>(JsonElement json, IServiceProvider services, FieldErrors errors)
        where T : class, IRequestBody<T>
    {
        var options = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        if (!RequestShape.Check(json, info, "", errors, services))
        {
            return null;
        }

        // The body reads: its rules across members and against what is stored are checked even
        // when a member broke its own, so that one answer names every bad field.
        var body = json.Deserialize(info)!;
        RequestRules.CheckObject(body, "", errors, services);
        return body;
    }

    /// <summary>What an endpoint taking a body adds: the body in the document, its refusals, and the filter that answers them.</summary>
    public static void Describe<T>(EndpointBuilder builder)
        where T : class, IRequestBody<T>
    {
        builder.Metadata.Add(new DocumentedBody(typeof(T), T.EmptyIsObject, ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails), ["application/problem+json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails), ["application/problem+json"]));
        if (!builder.Metadata.OfType<Refusal>().Any())
        {
            builder.Metadata.Add(Refusal.Marker);
            builder.FilterFactories.Add((_, next) => async context =>
                context.HttpContext.Features.Get<Refusal>() is { } refusal ? refusal.Problem : await next(context));
        }
    }

    /// <summary>Why a body was refused, from binding to the filter (and, as metadata, that the filter is in place).</summary>
    private sealed record Refusal(IResult Problem)
    {
        public static readonly Refusal Marker = new(TypedResults.Empty);
    }
}
