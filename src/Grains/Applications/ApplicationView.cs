namespace Embever.Actors.Applications;

/// <summary>An application (a group of devices) as callers see it; the secret is write-only.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationView")]
public sealed record ApplicationView(Guid Id, Guid OrganisationId, string Alias, string Description, DateTime CreatedAt);

[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationDraft")]
public sealed record ApplicationDraft(Guid OrganisationId, string Alias, string Description, string Secret);

/// <summary>The writable fields of an application; null leaves a field as it is.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationPatch")]
public sealed record ApplicationPatch(string? Alias, string? Description, string? Secret);
