namespace Embever.Actors.Api.Http;

/// <summary>
/// The request body an endpoint reads, for the OpenAPI document only (<see cref="ApiDocument"/>).
/// Not <see cref="Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata"/>: routing would then
/// refuse a wrong content type with a bare 415 before authentication and before our own answer.
/// </summary>
public sealed record DocumentedBody(Type Type, bool Optional, IReadOnlyList<string> ContentTypes);

public static class DocumentedBodyExtensions
{
    /// <summary>Documents a body the handler reads itself (after admitting the caller, or in more than one form).</summary>
    public static RouteHandlerBuilder WithBody<T>(this RouteHandlerBuilder builder, bool optional = false, params string[] contentTypes) =>
        builder.WithMetadata(new DocumentedBody(typeof(T), optional, contentTypes.Length == 0 ? ["application/json"] : contentTypes));
}
