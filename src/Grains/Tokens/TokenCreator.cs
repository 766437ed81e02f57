using Embever.Actors.Storage;

namespace Embever.Actors.Tokens;

/// <summary>Gives a new access token its cluster-unique id and lets its grain store it.</summary>
public sealed class TokenCreator(IGrainFactory grains, IdBlockAllocator ids)
{
    public async Task<TokenView> CreateAsync(TokenDraft draft) =>
        await grains.GetGrain<ITokenGrain>(await ids.NextAsync("tokens")).Create(draft);
}
