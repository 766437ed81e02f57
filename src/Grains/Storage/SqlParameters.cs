using System.Data.Common;

namespace Embever.Actors.Storage;

/// <summary>Binds named parameters (<c>@name</c>) on a command; null becomes SQL NULL.</summary>
public readonly struct SqlParameters(DbCommand command)
{
    public SqlParameters Add(string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return this;
    }
}
