using Embever.Actors.Storage;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Reads the JWT signing keyring again every <see cref="Every"/>, so that a key the operator
/// rotated on one silo signs on every silo within that time (a token naming a key this silo does
/// not know yet makes it read at once).
/// </summary>
public sealed class SigningKeyRefresh(PlatformKeys keys, ILogger<SigningKeyRefresh> logger) : RecurringStoreWork(keys, logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override TimeSpan Interval => Every;

    protected override string Work => "Reading the signing keyring again (the keys known are kept)";

    protected override Task RoundAsync(CancellationToken cancellationToken) => Keys.RefreshSigningKeysAsync(now: true);
}
