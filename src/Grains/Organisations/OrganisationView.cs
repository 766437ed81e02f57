using Embever.Actors.Retention;

namespace Embever.Actors.Organisations;

/// <summary>An organisation as callers see it; the secret is never part of it.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.OrganisationView")]
public sealed record OrganisationView(
    Guid Id,
    string Name,
    string Street,
    string StreetNumber,
    string PostalCode,
    string City,
    string Country,
    int MaxTokenLifespanInSeconds,
    DateTime CreatedAt,
    RetentionPeriods? Retention = null);

/// <summary>What a new organisation is made of.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.OrganisationDraft")]
public sealed record OrganisationDraft(
    string Name,
    string Street,
    string StreetNumber,
    string PostalCode,
    string City,
    string Country,
    int MaxTokenLifespanInSeconds,
    string Secret,
    RetentionPeriods? Retention = null);

/// <summary>The writable fields of an organisation; null leaves a field as it is (a retention given replaces the old one whole).</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.OrganisationPatch")]
public sealed record OrganisationPatch(string? Secret, int? MaxTokenLifespanInSeconds, RetentionPeriods? Retention = null);

/// <summary>What webhook signing needs: the secret and how long a signature lives.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.SigningSecret")]
public sealed record SigningSecret(string Secret, int LifespanInSeconds);
