using Embever.Actors.Applications;
using Embever.Actors.Organisations;
using Embever.Actors.Security;
using Embever.Actors.Tokens;

namespace Embever.Actors.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class TokenGrainTests(GrainClusterFixture fixture)
{
    private async Task<(ITokenGrain Grain, string Secret)> NewTokenAsync(DateTime? expiry = null, Guid? application = null)
    {
        var grain = fixture.Grains.GetGrain<ITokenGrain>(Random.Shared.NextInt64(1, 1L << 50));
        var secret = Secrets.New();
        var hash = await fixture.HashAsSiloAsync(secret);
        await grain.Create(new TokenDraft(application is null ? TokenKind.Organisation : TokenKind.Application, Guid.NewGuid(), application, "t", expiry, hash));
        return (grain, secret);
    }


    [Fact]
    public async Task Verify_accepts_the_secret_and_refuses_any_other()
    {
        var (grain, secret) = await NewTokenAsync();
        Assert.NotNull(await grain.Verify(secret));
        Assert.Null(await grain.Verify(secret + "x"));
        Assert.Null(await grain.Verify(""));
        Assert.True(await grain.IsActive());
    }

    [Fact]
    public async Task A_revoked_token_verifies_nothing_and_is_gone_even_after_deactivation()
    {
        var (grain, secret) = await NewTokenAsync();
        Assert.True(await grain.Revoke());
        Assert.False(await grain.Revoke());
        await fixture.DeactivateAllAsync();
        Assert.Null(await grain.Verify(secret));
        Assert.Null(await grain.Get());
        Assert.False(await grain.IsActive());
    }

    [Fact]
    public async Task An_expired_token_is_no_longer_active()
    {
        var (grain, secret) = await NewTokenAsync(DateTime.UtcNow.AddMilliseconds(300));
        Assert.True(await grain.IsActive());
        await Task.Delay(500);
        Assert.False(await grain.IsActive());
        Assert.Null(await grain.Verify(secret));
    }

    [Fact]
    public async Task Deleting_an_application_revokes_its_tokens()
    {
        var organisation = Guid.NewGuid();
        await fixture.Grains.GetGrain<IOrganisationGrain>(organisation).Create(new OrganisationDraft("o", "", "", "", "", "", 300, "s"));
        var applicationId = Guid.NewGuid();
        var application = fixture.Grains.GetGrain<IApplicationGrain>(applicationId);
        await application.Create(new ApplicationDraft(organisation, "app", "", "app-secret"));
        var id = Random.Shared.NextInt64(1, 1L << 50);
        var secret = Secrets.New();
        await fixture.Grains.GetGrain<ITokenGrain>(id).Create(new TokenDraft(TokenKind.Application, organisation, applicationId, "scoped", null, await fixture.HashAsSiloAsync(secret)));

        Assert.Equal(new SigningSecret("app-secret", 300), await application.GetSigningSecret());
        Assert.True(await application.Delete());
        Assert.Null(await application.Get());
        Assert.Null(await fixture.Grains.GetGrain<ITokenGrain>(id).Verify(secret));
    }
}
