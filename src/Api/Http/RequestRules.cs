using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization.Metadata;

namespace Embever.Actors.Api.Http;

/// <summary>
/// The rules a request's values meet beyond their types: the validation attributes on its
/// members (which the OpenAPI document also shows: <c>maxLength</c>, <c>minimum</c>,
/// <c>enum</c>…) and the rules across members of <see cref="IValidatableObject"/>, each failure
/// named by its JSON path.
/// </summary>
public static class RequestRules
{
    private static readonly ConcurrentDictionary<JsonPropertyInfo, ValidationAttribute[]> Rules = new();

    /// <summary>The validation attributes of a member, read once.</summary>
    public static ValidationAttribute[] Of(JsonPropertyInfo property) =>
        Rules.GetOrAdd(property, p => p.AttributeProvider?.GetCustomAttributes(typeof(ValidationAttribute), true).Cast<ValidationAttribute>().ToArray() ?? []);

    public static void CheckMember(ValidationAttribute[] rules, object? value, string path, FieldErrors errors, IServiceProvider services)
    {
        if (value is null || rules.Length == 0)
        {
            return;
        }

        var context = new ValidationContext(value, services, null) { MemberName = path };
        foreach (var rule in rules)
        {
            if (rule.GetValidationResult(value, context) is { } failure)
            {
                errors.Add(path, Message(rule, value) ?? failure.ErrorMessage ?? "Invalid.");
            }
        }
    }

    public static void CheckObject(object value, string path, FieldErrors errors, IServiceProvider services)
    {
        if (value is not IValidatableObject validatable)
        {
            return;
        }

        foreach (var failure in validatable.Validate(new ValidationContext(value, services, null)))
        {
            foreach (var member in failure.MemberNames.DefaultIfEmpty(""))
            {
                errors.Add(FieldErrors.Member(path, member), failure.ErrorMessage ?? "Invalid.");
            }
        }
    }

    /// <summary>The API's words for the standard attributes (theirs name the C# member).</summary>
    private static string? Message(ValidationAttribute rule, object value) => rule switch
    {
        MaxLengthAttribute max when value is string => $"Must be at most {max.Length} characters.",
        MaxLengthAttribute max => $"At most {max.Length} items.",
        MinLengthAttribute { Length: 1 } when value is string => "Must not be empty.",
        MinLengthAttribute min when value is string => $"Must be at least {min.Length} characters.",
        MinLengthAttribute min => $"At least {min.Length} item(s).",
        RangeAttribute range => $"Must be between {range.Minimum} and {range.Maximum}.",
        _ => null,
    };
}
