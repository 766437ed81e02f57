using Embever.Actors.Security;

namespace Embever.Actors.Tests.Domain;

public sealed class SecretHasherTests
{
    [Fact]
    public void A_secret_matches_its_own_hash_only_under_the_same_key()
    {
        var hasher = new SecretHasher([1, 2, 3, 4]);
        var secret = Secrets.New();
        var hash = hasher.Hash(secret);
        Assert.True(hasher.Matches(secret, hash));
        Assert.False(hasher.Matches(secret + "!", hash));
        Assert.False(new SecretHasher([4, 3, 2, 1]).Matches(secret, hash));
        Assert.Equal(32, hash.Length);
    }

    [Fact]
    public void Long_and_non_ascii_secrets_hash_like_short_ones()
    {
        var hasher = new SecretHasher([9]);
        var longSecret = new string('é', 1000);
        Assert.True(hasher.Matches(longSecret, hasher.Hash(longSecret)));
        Assert.False(hasher.Matches(longSecret, []));
    }

    [Fact]
    public void Generated_secrets_carry_at_least_128_bits_and_are_url_safe()
    {
        var secrets = Enumerable.Range(0, 1000).Select(_ => Secrets.New()).ToHashSet();
        Assert.Equal(1000, secrets.Count);
        Assert.All(secrets, s => Assert.Matches("^[A-Za-z0-9_-]{24}$", s));
    }
}
