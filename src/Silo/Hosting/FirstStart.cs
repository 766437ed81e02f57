using Embever.Actors.Api.Tokens;
using Embever.Actors.Organisations;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Tokens;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// On the first start against an empty store: create the operator token, a default
/// organisation and its token, print where they are and write them to the data directory
/// (mode 0600). One silo of a cluster wins the claim; the others skip.
/// </summary>
public sealed partial class FirstStart(
    Database database,
    IGrainFactory grains,
    TokenIssuer issuer,
    EmbeverOptions options,
    ILogger<FirstStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var claimed = await database.ExecuteAsync(
            "INSERT INTO platform_secrets (name, value) VALUES ('bootstrap', @at) ON CONFLICT (name) DO NOTHING",
            p => p.Add("at", DateTime.UtcNow.ToString("O")),
            cancellationToken) == 1;
        if (!claimed)
        {
            LogAlreadyInitialised(options.FullDataDirectory);
            return;
        }

        try
        {
            var organisationId = Guid.NewGuid();
            await grains.GetGrain<IOrganisationGrain>(organisationId)
                .Create(new OrganisationDraft("Default organisation", "", "", "", "", "", 300, Secrets.New()));
            var (_, operatorToken) = await issuer.IssueAsync(TokenKind.Operator, null, null, "operator", null);
            var (_, organisationToken) = await issuer.IssueAsync(TokenKind.Organisation, organisationId, null, "default organisation token", null);

            Directory.CreateDirectory(options.FullDataDirectory);
            var operatorFile = WriteSecretFile("operator-token", operatorToken);
            var organisationFile = WriteSecretFile("org-token", organisationToken);
            LogCreated(organisationId, operatorFile, organisationFile);
            CreatedFiles = [operatorFile, organisationFile];
        }
        catch
        {
            // Let the next start try again rather than leave an installation without tokens.
            await database.ExecuteAsync("DELETE FROM platform_secrets WHERE name = 'bootstrap'", null, CancellationToken.None);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string WriteSecretFile(string name, string content)
    {
        var path = Path.Combine(options.FullDataDirectory, name);
        SecretFile.Write(path, content);
        return path;
    }

    /// <summary>The token files this start created, for the banner; empty when the installation existed.</summary>
    public IReadOnlyList<string> CreatedFiles { get; private set; } = [];

    [LoggerMessage(Level = LogLevel.Information, Message = "First start: created the default organisation {OrganisationId}. Operator token: {OperatorFile}. Organisation token: {OrganisationFile}. Keep both files secret.")]
    private partial void LogCreated(Guid organisationId, string operatorFile, string organisationFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installation already initialised; first-start tokens, if this silo made them, are in {DataDirectory}")]
    private partial void LogAlreadyInitialised(string dataDirectory);
}
