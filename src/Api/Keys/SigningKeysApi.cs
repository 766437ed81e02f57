using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Security;
using Embever.Actors.Storage;

namespace Embever.Actors.Api.Keys;

/// <summary>
/// <c>/v2/signing-keys/</c> (an addition, operator token only): the JWT signing keys by id, and
/// their rotation. The key material never leaves the platform; docs/operations.md says when to
/// rotate and what happens to tokens already issued.
/// </summary>
public static class SigningKeysApi
{
    public static IEndpointRouteBuilder MapSigningKeysApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/signing-keys").WithTags("Signing keys").RequireAuthorization();
        group.MapGet("/", List)
            .WithName("listSigningKeys").WithSummary("The JWT signing keys, oldest first (operator)")
            .WithDescription("Each key's id (the `kid` of the tokens it signs), when it was made and when it was retired; the current key signs.");
        group.MapPost("/", Rotate)
            .WithName("rotateSigningKey").WithSummary("Rotate the JWT signing key (operator)")
            .WithDescription("A new key signs from now on, on every silo within seconds. Tokens signed before keep working until they expire; the retired key verifies nothing issued after the rotation.");
        return routes;
    }

    private static async Task<Results<Ok<List<SigningKeyResource>>, ForbiddenProblem>> List(Caller caller, PlatformKeys keys)
    {
        if (!caller.IsOperator)
        {
            return Problems.Forbidden("Only the operator token sees the signing keys.");
        }

        var keyring = await keys.RefreshSigningKeysAsync(now: true);
        return TypedResults.Ok(keyring.Keys.Select(k => SigningKeyResource.From(keyring, k)).ToList());
    }

    private static async Task<Results<Created<SigningKeyResource>, ForbiddenProblem>> Rotate(Caller caller, PlatformKeys keys, TimeProvider time)
    {
        if (!caller.IsOperator)
        {
            return Problems.Forbidden("Only the operator token rotates the signing key.");
        }

        var key = await keys.RotateSigningKeyAsync(time.GetUtcNow().UtcDateTime);
        return TypedResults.Created("/v2/signing-keys/", SigningKeyResource.From(keys.SigningKeys, key));
    }
}

/// <summary>A JWT signing key as the operator sees it: never the key itself.</summary>
public sealed record SigningKeyResource(string Kid, DateTime CreatedAt, DateTime? RetiredAt, bool Current)
{
    public static SigningKeyResource From(SigningKeyring keyring, SigningKey key) =>
        new(key.Kid, key.Created, keyring.RetiredAt(key), keyring.Current.Kid == key.Kid);
}
