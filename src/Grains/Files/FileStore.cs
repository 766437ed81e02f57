using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Files;

/// <summary>A file of an organisation: a getFile attachment or a firmware image.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.FileRecord")]
public sealed record FileRecord(string Id, Guid OrganisationId, string Sha256, string MediaType, long Size, DateTime CreatedAt);

/// <summary>Named files over the <see cref="BlobStore"/>: many files may share one stored binary.</summary>
public sealed class FileStore(Database database, BlobStore blobs)
{
    public BlobStore Blobs => blobs;

    /// <summary>Adds to <paramref name="round"/> the deletion of a file, and of its content once no other file names it.</summary>
    public static SqlBatch Delete(SqlBatch round, string id, string sha256) => round
        .Add("DELETE FROM files WHERE id = {0}", id)
        .Add("DELETE FROM blob_chunks WHERE sha256 = {0} AND NOT EXISTS (SELECT 1 FROM files WHERE sha256 = {1})", sha256, sha256)
        .Add("DELETE FROM blobs WHERE sha256 = {0} AND NOT EXISTS (SELECT 1 FROM files WHERE sha256 = {1})", sha256, sha256);

    public async Task<FileRecord> CreateAsync(Guid organisationId, string mediaType, Stream content, CancellationToken cancellationToken = default)
    {
        var blob = await blobs.SaveAsync(content, cancellationToken);
        var record = new FileRecord(ShortIds.New(), organisationId, blob.Sha256, mediaType, blob.Size, Timestamps.Truncate(DateTime.UtcNow));
        await database.ExecuteAsync(
            "INSERT INTO files (id, organisation_id, sha256, media_type, size, created_at) VALUES (@id, @organisation, @sha, @type, @size, @created)",
            p => p.Add("id", record.Id).Add("organisation", organisationId.ToString()).Add("sha", record.Sha256)
                .Add("type", mediaType).Add("size", record.Size).Add("created", Timestamps.ToMicroseconds(record.CreatedAt)),
            cancellationToken);
        return record;
    }

    public async Task<FileRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var rows = await database.QueryAsync(
            "SELECT organisation_id, sha256, media_type, size, created_at FROM files WHERE id = @id",
            p => p.Add("id", id),
            reader => new FileRecord(id, Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), Timestamps.FromMicroseconds(reader.GetInt64(4))),
            cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }
}
