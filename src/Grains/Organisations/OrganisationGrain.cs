using Embever.Actors.Applications;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;
using Embever.Actors.Tokens;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Organisations;

public sealed class OrganisationGrain(
    [PersistentState("organisation", StorageNames.Platform)] IPersistentState<OrganisationState> state,
    OrganisationIndex index,
    ApplicationIndex applications,
    TokenIndex tokens) : Grain, IOrganisationGrain
{
    public Task<OrganisationView?> Get() => Task.FromResult(state.State.View);

    public async Task<OrganisationView> Create(OrganisationDraft draft)
    {
        if (state.State.View is { } existing)
        {
            return existing;
        }

        state.State.View = new OrganisationView(
            this.GetPrimaryKey(), draft.Name, draft.Street, draft.StreetNumber, draft.PostalCode, draft.City, draft.Country,
            draft.MaxTokenLifespanInSeconds, Timestamps.Truncate(DateTime.UtcNow), draft.Retention);
        state.State.Secret = draft.Secret;
        await state.WriteStateAsync();
        await index.UpsertAsync(state.State.View);
        return state.State.View;
    }

    public async Task<OrganisationView?> Update(OrganisationPatch patch)
    {
        if (state.State.View is not { } view)
        {
            return null;
        }

        state.State.View = view with
        {
            MaxTokenLifespanInSeconds = patch.MaxTokenLifespanInSeconds ?? view.MaxTokenLifespanInSeconds,
            Retention = patch.Retention ?? view.Retention,
        };
        state.State.Secret = patch.Secret ?? state.State.Secret;
        await state.WriteStateAsync();
        await index.UpsertAsync(state.State.View);

        // The secret and the lifespan sign webhooks; the dispatcher keeps them.
        await GrainFactory.GetGrain<IWebhookDispatcherGrain>(view.Id).ForgetSigningKeys();
        return state.State.View;
    }

    public async Task Delete()
    {
        if (state.State.View is not { } view)
        {
            return;
        }

        // Tokens first: nothing of the organisation is reachable while the rest goes.
        var all = new PageRequest(int.MaxValue, 0);
        foreach (var token in (await tokens.ListAsync(view.Id, all)).Items)
        {
            await GrainFactory.GetGrain<ITokenGrain>(token.Id).Revoke();
        }

        foreach (var application in (await applications.ListAsync(view.Id, all)).Items)
        {
            await GrainFactory.GetGrain<IApplicationGrain>(application.Id).Delete();
        }

        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IWebhookDispatcherGrain>(view.Id).ForgetSigningKeys();
    }

    public Task<SigningSecret?> GetSigningSecret() => Task.FromResult(
        state.State.View is { } view ? new SigningSecret(state.State.Secret, view.MaxTokenLifespanInSeconds) : null);
}
