using Embever.Actors.Files;
using Embever.Actors.Platform;

namespace Embever.Actors.Firmware;

/// <summary>Adds a firmware: its image stored as a file of the organisation, then its row with a new id.</summary>
public sealed class FirmwareCatalog(FirmwareIndex firmwares, FileStore files, TimeProvider time)
{
    public async Task<FirmwareView> AddAsync(FirmwareDraft draft, Stream image, CancellationToken cancellationToken)
    {
        var file = await files.CreateAsync(draft.OrganisationId, draft.MediaType, image, cancellationToken);
        var view = new FirmwareView(
            ShortIds.New(), draft.OrganisationId, draft.Version, draft.Alias, draft.Dest, draft.Description, draft.Predecessor,
            file.Id, file.Size, file.Sha256, Timestamps.Truncate(time.GetUtcNow().UtcDateTime));
        await firmwares.InsertAsync(view);
        return view;
    }
}
