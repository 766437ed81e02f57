using System.Net;
using System.Net.Http.Headers;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Embever.Actors.Tests.Operations;

/// <summary>
/// The operator rotates the JWT signing key: new tokens name the new key (<c>kid</c>); tokens
/// signed before keep working until they expire and not after; the retired key signs nothing new
/// that verifies; application tokens issued before go on (their secret is checked in the store).
/// </summary>
public sealed class SigningKeyRotationTests
{
    [Fact]
    public async Task Tokens_signed_before_a_rotation_verify_until_they_expire_and_the_retired_key_mints_nothing()
    {
        await using var platform = await PlatformInstance.StartAsync(
            await StoreUnderTest.CreateAsync(StoreKind.Sqlite),
            [.. PlatformFixture.FastArguments, "--Embever:Auth:AccessTokenLifetime=00:00:08", "--Embever:Auth:ClockSkew=00:00:00"]);
        var before = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var operatorSession = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("operator-token"));
        var oldKid = Kid(before);

        var rotated = await ApiSession.Json(await operatorSession.Post("/v2/signing-keys/", new { }), HttpStatusCode.Created);
        var newKid = rotated["kid"]!.GetValue<string>();
        Assert.NotEqual(oldKid, newKid);
        Assert.True(rotated["current"]!.GetValue<bool>());
        var listed = (await ApiSession.Json(await operatorSession.Get("/v2/signing-keys/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal([oldKid, newKid], listed.Select(k => k!["kid"]!.GetValue<string>()));
        Assert.NotNull(listed[0]!["retired_at"]);
        Assert.DoesNotContain("key\"", listed.ToJsonString().Replace("\"kid\"", ""));
        Assert.Equal(HttpStatusCode.Forbidden, (await before.Post("/v2/signing-keys/", new { })).StatusCode);

        // Signed before the rotation: still good. New tokens name the new key. The first application token goes on.
        Assert.Equal(HttpStatusCode.OK, (await before.Get("/v2/devices/")).StatusCode);
        var after = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        Assert.Equal(newKid, Kid(after));
        Assert.Equal(HttpStatusCode.OK, (await after.Get("/v2/devices/")).StatusCode);

        // Once the grace for silos to learn of the rotation is over, the old key's new tokens do not verify.
        await Task.Delay(TimeSpan.FromSeconds(9));
        var oldKey = platform.Services.GetRequiredService<PlatformKeys>().SigningKeys.Find(oldKid)!;
        var forged = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "embever-actors",
            Claims = JwtPayload(before),
            IssuedAt = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(oldKey.Key) { KeyId = oldKid }, SecurityAlgorithms.HmacSha256),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await With(platform, forged).GetAsync("/v2/devices/")).StatusCode);

        // Expired: the token signed before the rotation is refused now.
        Assert.Equal(HttpStatusCode.Unauthorized, (await before.Get("/v2/devices/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"))).Get("/v2/devices/")).StatusCode);
    }

    private static string Kid(ApiSession session) => new JsonWebToken(session.Http.DefaultRequestHeaders.Authorization!.Parameter).Kid;

    private static Dictionary<string, object> JwtPayload(ApiSession session)
    {
        var token = new JsonWebToken(session.Http.DefaultRequestHeaders.Authorization!.Parameter);
        return token.Claims.Where(c => c.Type is "use" or "tid" or "knd" or "org" or "app").ToDictionary(c => c.Type, c => (object)c.Value);
    }

    private static HttpClient With(PlatformInstance platform, string jwt)
    {
        var http = platform.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        return http;
    }
}
