using Embever.Actors.Api.Coap;
using Embever.Actors.Tests.Infrastructure;
using Seen = Embever.Actors.Api.Coap.RecentMessages.Seen;

namespace Embever.Actors.Tests.Coap;

/// <summary>Duplicate detection (RFC 7252 §4.5): by peer and message id, for EXCHANGE_LIFETIME, bounded.</summary>
public sealed class RecentMessagesTests
{
    [Fact]
    public void A_request_is_new_once_in_progress_until_answered_then_answered_until_the_exchange_lifetime_ends()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-11-27T00:00:00Z"));
        var recent = new RecentMessages(new CoapOptions(), time);
        Assert.Equal(Seen.New, recent.Check("a", 1, out _));
        Assert.Equal(Seen.InProgress, recent.Check("a", 1, out _));
        Assert.Equal(Seen.New, recent.Check("b", 1, out _));
        Assert.Equal(Seen.New, recent.Check("a", 2, out _));

        recent.Answered("a", 1, [1, 2, 3]);
        Assert.Equal(Seen.Answered, recent.Check("a", 1, out var answer));
        Assert.Equal([1, 2, 3], answer);

        time.Advance(RecentMessages.ExchangeLifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(Seen.Answered, recent.Check("a", 1, out _));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(Seen.New, recent.Check("a", 1, out _));
    }

    [Fact]
    public void A_failed_request_is_forgotten_and_a_full_table_takes_nothing_new_until_entries_expire()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-11-27T00:00:00Z"));
        var recent = new RecentMessages(new CoapOptions { RecentMessages = 2 }, time);
        Assert.Equal(Seen.New, recent.Check("a", 1, out _));
        recent.Forget("a", 1);
        Assert.Equal(Seen.New, recent.Check("a", 1, out _));
        Assert.Equal(Seen.New, recent.Check("a", 2, out _));
        Assert.Equal(Seen.Full, recent.Check("a", 3, out _));

        time.Advance(RecentMessages.ExchangeLifetime + TimeSpan.FromSeconds(10));
        Assert.Equal(Seen.New, recent.Check("a", 3, out _));
        Assert.Equal(1, recent.Count);
    }

    [Theory]
    [InlineData(0u, false, 6, new byte[] { 0x06 })]
    [InlineData(1u, true, 6, new byte[] { 0x1E })]
    [InlineData(16u, false, 0, new byte[] { 0x01, 0x00 })]
    [InlineData(4096u, true, 2, new byte[] { 0x01, 0x00, 0x0A })]
    public void Block_options_are_written_as_rfc_7959_says(uint number, bool more, int exponent, byte[] value)
    {
        var block = new BlockOption(number, more, exponent);
        Assert.Equal(value, block.ToOption(CoapOption.Block2).Value);
        Assert.Equal(block, BlockOption.From(new CoapOption(CoapOption.Block2, value)));
        Assert.Equal(1 << (exponent + 4), block.Size);
    }

    [Fact]
    public void A_reserved_size_or_a_value_longer_than_three_bytes_is_no_block()
    {
        Assert.Null(BlockOption.From(new CoapOption(CoapOption.Block2, [0x07])));
        Assert.Null(BlockOption.From(new CoapOption(CoapOption.Block2, [0, 0, 0, 0x01])));
    }
}
