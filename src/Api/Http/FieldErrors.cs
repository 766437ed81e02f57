namespace Embever.Actors.Api.Http;

/// <summary>
/// The bad fields of one request, each with its messages, named by their JSON path
/// (<c>webhooks[2].url</c>): one 400 answer names every one of them.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = [];

    public bool IsEmpty => errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>One line per bad field (<c>events[0].type: Must not be blank.</c>), for a CoAP diagnostic payload.</summary>
    public string Describe() => string.Join('\n', errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    public ValidationProblem Problem() =>
        Problems.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    /// <summary>The path of a member of the object at <paramref name="path"/>.</summary>
    public static string Member(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
