using System.Text;
using Embever.Actors.Devices;
using Org.BouncyCastle.Tls;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// Looks up the key for the PSK identity a device gives in its handshake: its password, opened
/// from its row (<see cref="DeviceDirectory.PreSharedKeyAsync"/>). An unknown identity gets no key
/// and the handshake ends with <c>unknown_psk_identity</c>. BouncyCastle asks synchronously, on the
/// handshake's own thread (never a grain's), so the lookup is waited for here.
/// </summary>
public sealed class DeviceKeys(DeviceDirectory directory) : TlsPskIdentityManager
{
    /// <summary>The password of the device whose key was found (the handshake's, once it completes).</summary>
    public string? Password { get; private set; }

    /// <summary>Whether the device asked for an identity that has no key (an unknown id, or a device without a sealed password).</summary>
    public bool Unknown { get; private set; }

    public byte[]? GetHint() => null;

    public byte[]? GetPsk(byte[] identity)
    {
        var id = Encoding.UTF8.GetString(identity);
        var key = Platform.ShortIds.LooksValid(id) ? directory.PreSharedKeyAsync(id).GetAwaiter().GetResult() : null;
        Unknown = key is null;
        Password = key is null ? null : Encoding.UTF8.GetString(key);
        return key;
    }
}
