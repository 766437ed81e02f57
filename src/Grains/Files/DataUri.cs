using System.Text.RegularExpressions;

namespace Embever.Actors.Files;

/// <summary><c>data:&lt;type&gt;/&lt;format&gt;;base64,&lt;data&gt;</c>, the only way the API accepts inline files.</summary>
public static partial class DataUri
{
    public static bool TryParse(string text, out string mediaType, out byte[] content)
    {
        mediaType = "";
        content = [];
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        try
        {
            content = Convert.FromBase64String(match.Groups["data"].Value);
        }
        catch (FormatException)
        {
            return false;
        }

        mediaType = match.Groups["type"].Value.ToLowerInvariant();
        return true;
    }

    [GeneratedRegex(@"^data:(?<type>[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)(;[A-Za-z0-9_.-]+=[^;,]*)*;base64,(?<data>[A-Za-z0-9+/=\s]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
