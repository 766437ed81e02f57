using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Tokens;

/// <summary>Live (not revoked) tokens; a revoked token's row is deleted.</summary>
public sealed class TokenIndex(Database database) : IndexTable<TokenView>(database, "tokens")
{
    public Task UpsertAsync(TokenView view) => Database.ExecuteAsync(
        """
        INSERT INTO tokens (id, organisation_id, application_id, created_at, body) VALUES (@id, @organisation_id, @application_id, @created_at, @body)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body
        """,
        p => p.Add("id", view.Id)
            .Add("organisation_id", view.OrganisationId?.ToString())
            .Add("application_id", view.ApplicationId?.ToString())
            .Add("created_at", Timestamps.ToMicroseconds(view.CreatedAt))
            .Add("body", Serialize(view)));
}
