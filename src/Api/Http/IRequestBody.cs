using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Embever.Actors.Api.Http;

/// <summary>
/// A JSON request body as a typed record. A handler takes it as a parameter: it is read, checked
/// field by field and bound by <see cref="RequestBody"/> before the handler runs, and the
/// OpenAPI document describes it from the type. Implementing this interface is all a record needs.
/// </summary>
public interface IRequestBody<TSelf> : IBindableFromHttpContext<TSelf>, IEndpointParameterMetadataProvider
    where TSelf : class, IRequestBody<TSelf>
{
    /// <summary>The largest body accepted, in bytes (413 above).</summary>
    static virtual long BodyLimit => JsonBody.DefaultLimit;

    /// <summary>The largest body accepted from this caller (a limit that depends on the caller's organisation); <see cref="BodyLimit"/> unless a type says otherwise.</summary>
    static virtual long BodyLimitFor(HttpContext context) => TSelf.BodyLimit;

    /// <summary>Whether an empty body means <c>{}</c> (a device with nothing to say).</summary>
    static virtual bool EmptyIsObject => false;

    /// <summary>
    /// Checks what needs the caller or the store (an application of the caller's organisation),
    /// adding to <paramref name="errors"/>; runs once the body reads, even if a member broke a rule.
    /// </summary>
    static virtual Task CheckAsync(TSelf request, HttpContext context, FieldErrors errors) => Task.CompletedTask;

    static ValueTask<TSelf?> IBindableFromHttpContext<TSelf>.BindAsync(HttpContext context, ParameterInfo parameter) =>
        RequestBody.BindAsync<TSelf>(context);

    static void IEndpointParameterMetadataProvider.PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        RequestBody.Describe<TSelf>(builder);
}
