using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Tokens;

public sealed class TokenGrain(
    [PersistentState("token", StorageNames.Platform)] IPersistentState<TokenState> state,
    TokenIndex index,
    PlatformKeys keys) : Grain, ITokenGrain
{
    public Task<TokenView?> Get() => Task.FromResult(state.State.Revoked ? null : state.State.View);

    public async Task<TokenView> Create(TokenDraft draft)
    {
        if (state.State.View is { } existing)
        {
            return existing;
        }

        state.State.View = new TokenView(
            this.GetPrimaryKeyLong(), draft.Kind, draft.OrganisationId, draft.ApplicationId, draft.Alias, draft.ExpiryDate,
            Timestamps.Truncate(DateTime.UtcNow));
        state.State.SecretHash = draft.SecretHash;
        await state.WriteStateAsync();
        await index.UpsertAsync(state.State.View);
        return state.State.View;
    }

    public Task<TokenView?> Verify(string secret)
    {
        var valid = IsUsable() && keys.Hasher.Matches(secret, state.State.SecretHash);
        return Task.FromResult(valid ? state.State.View : null);
    }

    public Task<bool> IsActive() => Task.FromResult(IsUsable());

    public async Task<bool> Revoke()
    {
        if (state.State.View is not { } view || state.State.Revoked)
        {
            return false;
        }

        state.State.Revoked = true;
        await state.WriteStateAsync();
        await index.DeleteAsync(view.Id);
        return true;
    }

    private bool IsUsable() =>
        state.State.View is { } view && !state.State.Revoked && (view.ExpiryDate is not { } expiry || expiry > DateTime.UtcNow);
}
