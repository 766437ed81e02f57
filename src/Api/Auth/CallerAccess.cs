using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Auth;

/// <summary>The caller of a request, and endpoint filters that turn scope rules into 403s.</summary>
public static class CallerAccess
{
    public static Caller GetCaller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("The endpoint does not require authentication.");

    /// <summary>Tenants only: the operator token sees no organisation's objects.</summary>
    public static TBuilder ForTenants<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) => context.HttpContext.GetCaller().IsOperator
            ? Problems.Forbidden("The operator token may only create organisations and their tokens.")
            : await next(context));

    /// <summary>Organisation-wide tokens only: application tokens cannot manage the organisation.</summary>
    public static TBuilder ForOrganisationTokens<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) => context.HttpContext.GetCaller().IsOrganisationWide
            ? await next(context)
            : Problems.Forbidden("Only an organisation-wide token may manage tokens, applications, organisations and firmwares."));
}
