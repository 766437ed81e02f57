using Embever.Actors.Retention;

namespace Embever.Actors.Applications;

/// <summary>An application (a group of devices) as callers see it; the secret is write-only.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationView")]
public sealed record ApplicationView(Guid Id, Guid OrganisationId, string Alias, string Description, DateTime CreatedAt, RetentionPeriods? Retention = null);

[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationDraft")]
public sealed record ApplicationDraft(Guid OrganisationId, string Alias, string Description, string Secret, RetentionPeriods? Retention = null);

/// <summary>The writable fields of an application; null leaves a field as it is (a retention given replaces the old one whole).</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ApplicationPatch")]
public sealed record ApplicationPatch(string? Alias, string? Description, string? Secret, RetentionPeriods? Retention = null);
