namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// A clock the test moves by hand. Only the time of day is manual: timers still run on the real
/// clock. Safe to read from a silo's threads while the test moves it.
/// </summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
