namespace Embever.Actors.Events;

/// <summary>An event a device sent; events are never changed once stored.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.EventView")]
public sealed record EventView(long Id, string DeviceId, Guid OrganisationId, string Type, string PayloadJson, DateTime CreatedAt);

/// <summary>An event as a device reports it in an exchange.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.NewEvent")]
public sealed record NewEvent(string Type, string PayloadJson);
