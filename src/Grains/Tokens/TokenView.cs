namespace Embever.Actors.Tokens;

/// <summary>
/// Who a token speaks for. The operator token belongs to no organisation: it may only create
/// organisations and their tokens. An application token is confined to one application.
/// </summary>
public enum TokenKind
{
    Operator,
    Organisation,
    Application,
}

/// <summary>A token as listed; the token string itself is shown once, at creation.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.TokenView")]
public sealed record TokenView(
    long Id,
    TokenKind Kind,
    Guid? OrganisationId,
    Guid? ApplicationId,
    string Alias,
    DateTime? ExpiryDate,
    DateTime CreatedAt);

[GenerateSerializer, Immutable, Alias("Embever.Actors.TokenDraft")]
public sealed record TokenDraft(
    TokenKind Kind,
    Guid? OrganisationId,
    Guid? ApplicationId,
    string Alias,
    DateTime? ExpiryDate,
    byte[] SecretHash);
