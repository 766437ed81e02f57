using Embever.Actors.Api.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Embever.Actors.Tests.Domain;

/// <summary>The gateway works on a bounded number of exchanges at once; the rest wait, oldest first, up to the queue's length.</summary>
public sealed class ExchangeConcurrencyTests
{
    [Fact]
    public async Task Exchanges_beyond_the_limit_wait_their_turn_in_order_and_past_the_queue_are_told_to_come_back()
    {
        using var concurrency = new ExchangeConcurrency(new GatewayOptions { MaxConcurrentExchanges = 2, ExchangeQueue = 2 });
        using var first = await concurrency.EnterAsync(CancellationToken.None);
        using var second = await concurrency.EnterAsync(CancellationToken.None);
        Assert.True(first.IsAcquired && second.IsAcquired);

        var third = concurrency.EnterAsync(CancellationToken.None).AsTask();
        var fourth = concurrency.EnterAsync(CancellationToken.None).AsTask();
        using var fifth = await concurrency.EnterAsync(CancellationToken.None);
        Assert.False(fifth.IsAcquired);
        Assert.False(third.IsCompleted || fourth.IsCompleted);

        first.Dispose();
        using (var turn = await third.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            Assert.True(turn.IsAcquired);
            Assert.False(fourth.IsCompleted);
        }

        using var last = await fourth.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(last.IsAcquired);
    }

    [Fact]
    public void A_full_queue_answers_503_with_retry_after()
    {
        var context = new DefaultHttpContext();
        var busy = Assert.IsType<ProblemHttpResult>(GatewayApi.Refusal(context, GatewayOutcome.Busy, TimeSpan.FromSeconds(1), null));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, busy.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }
}
