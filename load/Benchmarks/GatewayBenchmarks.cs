using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Embever.Actors.Actions;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Tokens;

namespace Embever.Actors.Benchmarks;

/// <summary>The per-request work of the hot paths: exchange JSON both ways, access-token validation, device password check.</summary>
[MemoryDiagnoser]
public class GatewayBenchmarks
{
    private static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
    private readonly byte[] request = Encoding.UTF8.GetBytes(
        """
        {"events":[{"type":"temp","payload":{"celsius":21.5}}],"acks":[62542,62543],
         "responses":[{"action":62540,"result":{"lat":52.1,"lon":11.6},"result_code":"Success"}],
         "file_transfers":[{"action":28,"status":"complete"}]}
        """);

    private readonly ExchangeAnswer answer = new(
        [new OutgoingAction(62544, "setSettings", "{\"someSetting\":54}", 1), new OutgoingAction(62545, "getPosition", "{}", 2)],
        [1201],
        [new Rejection(999, "unknown action")]);

    private SecretHasher hasher = null!;
    private byte[] passwordHash = [];
    private string password = "";
    private JwtService jwt = null!;
    private string accessToken = "";
    private HttpContext context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        context = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        hasher = new SecretHasher(new byte[32]);
        password = Secrets.New();
        passwordHash = hasher.Hash(password);
        var keys = new PlatformKeys(new KeyEncryptionKey(new byte[KeyEncryptionKey.Size]));
        keys.Use(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), new byte[32]);
        jwt = new JwtService(keys, new AuthOptions(), TimeProvider.System);
        accessToken = jwt.IssueAccessToken(new TokenView(42, TokenKind.Organisation, Guid.NewGuid(), null, "bench", null, DateTime.UtcNow));
    }

    /// <summary>Reading, checking and binding an exchange body as the gateway does (<see cref="RequestBody"/>).</summary>
    [Benchmark]
    public async Task<DeviceExchange?> ParseExchangeRequest()
    {
        using var document = JsonDocument.Parse(request);
        var (body, _) = await RequestBody.BindAsync<ExchangeRequest>(document.RootElement, context);
        return body?.ToExchange();
    }

    [Benchmark]
    public byte[] WriteExchangeResponse() => JsonSerializer.SerializeToUtf8Bytes(ExchangeResponse.From(answer), Json);

    [Benchmark]
    public Task<TokenClaims?> ValidateAccessToken() => jwt.ValidateAsync(accessToken, "access");

    [Benchmark]
    public bool CheckDevicePassword() => hasher.Matches(password, passwordHash);
}
