using System.ComponentModel.DataAnnotations;
using Embever.Actors.Platform;

namespace Embever.Actors.Api.Http;

/// <summary>Text that is not only blanks (a name of spaces names nothing).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotBlankAttribute : ValidationAttribute
{
    public NotBlankAttribute() : base("Must not be empty.")
    {
    }

    public override bool IsValid(object? value) => value is not string text || text.Trim().Length > 0;
}

/// <summary>One of a fixed set of strings (shown as the member's <c>enum</c> in the document).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(params string[] values) : ValidationAttribute($"Must be one of: {string.Join(", ", values)}.")
{
    public IReadOnlyList<string> Values => values;

    public override bool IsValid(object? value) => value is not string text || values.Contains(text, StringComparer.Ordinal);
}

/// <summary>An absolute http(s) URL without credentials: where a webhook may be sent.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class WebhookUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext context) =>
        value is string url && WebhookUrls.Problem(url) is { } problem ? new ValidationResult(problem) : ValidationResult.Success;
}

/// <summary>
/// A time after now and at most about 100 years ahead ("never" is no expiry at all; the bound
/// keeps every stored time far from the end of the calendar, which reminders would overflow).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class FutureAttribute : ValidationAttribute
{
    public static readonly TimeSpan LatestAhead = TimeSpan.FromDays(365 * 100);

    protected override ValidationResult? IsValid(object? value, ValidationContext context)
    {
        if (value is not DateTime time)
        {
            return ValidationResult.Success;
        }

        var now = (context.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        return time <= now ? new ValidationResult("Must be in the future.")
            : time > now + LatestAhead ? new ValidationResult($"Must be at most {LatestAhead.Days / 365} years from now.")
            : ValidationResult.Success;
    }
}
