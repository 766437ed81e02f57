using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Organisations;

/// <summary>The row that asks <see cref="TenantEraser"/> to erase what an application or organisation left.</summary>
public static class TenantErasure
{
    /// <summary>The statement, for the transaction that deletes the row of the application (or of the organisation: null).</summary>
    public static SqlBatch Of(Guid organisation, Guid? application) => new SqlBatch().Add(
        "INSERT INTO tenant_erasures (organisation_id, application_id, requested_at) VALUES ({0}, {1}, {2}) ON CONFLICT DO NOTHING",
        organisation.ToString(), application?.ToString() ?? "", Timestamps.ToMicroseconds(DateTime.UtcNow));
}
