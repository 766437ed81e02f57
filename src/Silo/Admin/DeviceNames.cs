namespace Embever.Actors.Silo.Admin;

/// <summary>
/// Device names from a CSV file: the <c>name</c> column when the first line is a header naming
/// it, else the first column; quoted fields ("a, b" and "say ""hi""") as RFC 4180 writes them.
/// </summary>
public static class DeviceNames
{
    public static List<string> Read(string path)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select(Fields).ToList();
        if (rows.Count == 0)
        {
            throw new AdminException($"{path} has no devices.");
        }

        var column = rows[0].FindIndex(f => f.Trim().Equals("name", StringComparison.OrdinalIgnoreCase));
        var names = column >= 0 ? rows.Skip(1).Select(r => column < r.Count ? r[column] : "") : rows.Select(r => r[0]);
        return names.Select(n => n.Trim()).ToList();
    }

    /// <summary>A name as one CSV field.</summary>
    public static string Quote(string name) =>
        name.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name;

    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
