namespace Embever.Actors.Firmware;

/// <summary>What an upload says of a new firmware; its image comes as a stream beside it.</summary>
public sealed record FirmwareDraft(Guid OrganisationId, string Version, string Alias, string Dest, string Description, string? Predecessor, string MediaType);
