using Embever.Actors.Organisations;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;
using Embever.Actors.Tokens;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Applications;

public sealed class ApplicationGrain(
    [PersistentState("application", StorageNames.Platform)] IPersistentState<ApplicationState> state,
    ApplicationIndex index,
    TokenIndex tokens) : Grain, IApplicationGrain
{
    public Task<ApplicationView?> Get() => Task.FromResult(state.State.View);

    public async Task<ApplicationView> Create(ApplicationDraft draft)
    {
        if (state.State.View is { } existing)
        {
            return existing;
        }

        state.State.View = new ApplicationView(this.GetPrimaryKey(), draft.OrganisationId, draft.Alias, draft.Description, Timestamps.Truncate(DateTime.UtcNow), draft.Retention);
        state.State.Secret = draft.Secret;
        await state.WriteStateAsync();
        await index.UpsertAsync(state.State.View);
        return state.State.View;
    }

    public async Task<ApplicationView?> Update(ApplicationPatch patch)
    {
        if (state.State.View is not { } view)
        {
            return null;
        }

        state.State.View = view with
        {
            Alias = patch.Alias ?? view.Alias,
            Description = patch.Description ?? view.Description,
            Retention = patch.Retention ?? view.Retention,
        };
        state.State.Secret = patch.Secret ?? state.State.Secret;
        await state.WriteStateAsync();
        await index.UpsertAsync(state.State.View);
        if (patch.Secret is not null)
        {
            // The organisation's dispatcher keeps the secret it signs webhooks with.
            await GrainFactory.GetGrain<IWebhookDispatcherGrain>(view.OrganisationId).ForgetSigningKeys();
        }

        return state.State.View;
    }

    public async Task<bool> Delete()
    {
        if (state.State.View is not { } view)
        {
            return false;
        }

        // Tokens scoped to a deleted application must not authenticate any more.
        var scoped = await tokens.ListAsync(new Filter().Equal("application_id", view.Id.ToString()), new PageRequest(int.MaxValue, 0));
        foreach (var token in scoped.Items)
        {
            await GrainFactory.GetGrain<ITokenGrain>(token.Id).Revoke();
        }

        await index.DeleteAsync(view.Id.ToString());
        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IWebhookDispatcherGrain>(view.OrganisationId).ForgetSigningKeys();
        return true;
    }

    public async Task<SigningSecret?> GetSigningSecret()
    {
        if (state.State.View is not { } view)
        {
            return null;
        }

        // Application signatures live as long as the organisation says its tokens do.
        var organisation = await GrainFactory.GetGrain<IOrganisationGrain>(view.OrganisationId).GetSigningSecret();
        return new SigningSecret(state.State.Secret, organisation?.LifespanInSeconds ?? 300);
    }
}
