using System.Text;

namespace Embever.Actors.Storage.Index;

/// <summary>A conjunction of column conditions for a list query, bound as parameters.</summary>
internal sealed class Filter
{
    private readonly StringBuilder where = new();
    private readonly List<(string Name, object? Value)> values = [];

    public Filter Equal(string column, object? value)
    {
        if (value is null)
        {
            return Raw($"{column} IS NULL");
        }

        var name = $"f{values.Count}";
        values.Add((name, value));
        return Raw($"{column} = @{name}");
    }

    /// <summary>Adds the condition only when a value is given (an optional query filter).</summary>
    public Filter EqualIfGiven(string column, object? value) => value is null ? this : Equal(column, value);

    public Filter Raw(string condition, params (string Name, object? Value)[] parameters)
    {
        where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
        values.AddRange(parameters);
        return this;
    }

    public string Sql => where.ToString();

    /// <summary>The bound values, as text: with <see cref="Sql"/> it identifies the query.</summary>
    public string Describe() => string.Join("|", values.Select(v => $"{v.Name}={v.Value}"));

    public void Bind(SqlParameters parameters)
    {
        foreach (var (name, value) in values)
        {
            parameters.Add(name, value);
        }
    }
}
