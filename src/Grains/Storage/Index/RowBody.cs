using System.Text.Json;

namespace Embever.Actors.Storage.Index;

/// <summary>The one JSON form of a row's <c>body</c>: what index tables read and the committer writes.</summary>
public static class RowBody
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T Deserialize<T>(string body) => JsonSerializer.Deserialize<T>(body, Json)!;
}
