using System.Security.Cryptography;
using Embever.Actors.Security;

namespace Embever.Actors.Tests.Domain;

/// <summary>The key that seals the platform's keys in the database, and the signing keyring.</summary>
public sealed class KeyEncryptionKeyTests
{
    private static KeyEncryptionKey NewKey(KeyEncryptionKey? previous = null) => new(RandomNumberGenerator.GetBytes(KeyEncryptionKey.Size), previous);

    [Fact]
    public void A_sealed_key_opens_under_its_name_only_and_holds_no_key_bytes_in_the_clear()
    {
        var kek = NewKey();
        var secret = RandomNumberGenerator.GetBytes(32);
        var stored = kek.Seal("jwt_signing_keys", secret);
        Assert.StartsWith($"sealed:{kek.Id}:", stored);
        Assert.DoesNotContain(Convert.ToBase64String(secret), stored);
        Assert.Equal(secret, kek.Open("jwt_signing_keys", stored));
        Assert.Throws<InvalidOperationException>(() => kek.Open("device_psk_key", stored));
        Assert.True(kek.SealedHere(stored));
    }

    [Fact]
    public void Another_key_is_named_in_the_refusal_and_the_previous_key_still_opens_during_a_rotation()
    {
        var old = NewKey();
        var stored = old.Seal("secret_hash_key", [1, 2, 3]);
        var other = NewKey();
        var refusal = Assert.Throws<InvalidOperationException>(() => other.Open("secret_hash_key", stored));
        Assert.Contains(old.Id, refusal.Message);
        Assert.Contains(other.Id, refusal.Message);

        var rotated = NewKey(previous: old);
        Assert.Equal([1, 2, 3], rotated.Open("secret_hash_key", stored));
        Assert.False(rotated.SealedHere(stored));
    }

    [Fact]
    public void A_key_must_be_32_bytes_of_base64()
    {
        Assert.Throws<InvalidOperationException>(() => KeyEncryptionKey.FromBase64("c2hvcnQ="));
        Assert.Throws<InvalidOperationException>(() => KeyEncryptionKey.FromBase64("not base64 at all"));
        Assert.Equal(32, KeyEncryptionKey.FromBase64(Convert.ToBase64String(new byte[32]) + "\n").Id.Length / 2 * 4);
    }

    [Fact]
    public void A_retired_signing_key_was_retired_when_the_next_was_made_and_tokens_without_a_kid_are_the_first_keys()
    {
        var first = SigningKey.Of(RandomNumberGenerator.GetBytes(32), DateTime.UnixEpoch);
        var second = SigningKey.New(new DateTime(2026, 12, 5, 3, 0, 0, DateTimeKind.Utc));
        var keyring = SigningKeyring.FromBytes(new SigningKeyring([first]).With(second).ToBytes());
        Assert.Equal(second.Kid, keyring.Current.Kid);
        Assert.Equal(first.Kid, keyring.Find(null)!.Kid);
        Assert.Equal(second.Created, keyring.RetiredAt(keyring.Find(first.Kid)!));
        Assert.Null(keyring.RetiredAt(keyring.Current));
        Assert.Null(keyring.Find("0000000000000000"));
        Assert.NotEqual(first.Kid, second.Kid);
    }
}
