using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Embever.Actors.Storage.Migrations;

/// <summary>One step of the schema history: a SQL script shipped in the assembly, or a data migration.</summary>
public sealed partial record Migration(string Id, string Checksum, string? Sql, IDataMigration? Data)
{
    /// <summary>
    /// The scripts released before <c>schema_migrations</c> existed (001–005) open and commit their
    /// own transaction; they are idempotent and run as they are. Later scripts run inside the
    /// migrator's transaction, together with the row that records them.
    /// </summary>
    public bool OwnsTransaction => Sql is not null && OpensTransaction().IsMatch(Sql);

    public static Migration Script(string id, string sql) => new(id, Sha256(sql), sql, null);

    /// <summary>A data migration's checksum is that of its id: its code cannot be hashed, and must not change either.</summary>
    public static Migration Of(IDataMigration data) => new(data.Id, Sha256("data:" + data.Id), null, data);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"^\s*BEGIN(\s+IMMEDIATE)?\s*;", RegexOptions.Multiline)]
    private static partial Regex OpensTransaction();
}
