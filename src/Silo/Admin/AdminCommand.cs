using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Silo.Hosting;

namespace Embever.Actors.Silo.Admin;

/// <summary>
/// <c>Embever.Actors.Silo admin …</c> (<c>dotnet run --project src/Silo -- admin …</c>, the same in
/// the container): what an operator does without curl. It talks to a running platform with the
/// operator token from the data directory.
/// </summary>
public static class AdminCommand
{
    public const string Verb = "admin";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url") { Description = "The platform's HTTP address", DefaultValueFactory = _ => "http://localhost:5000", Recursive = true };
        var tokenFile = new Option<string>("--operator-token-file")
        {
            Description = "The file holding the operator token",
            DefaultValueFactory = _ => Path.Combine(new EmbeverOptions().DataDirectory, "operator-token"),
            Recursive = true,
        };
        var organisation = new Option<Guid>("--organisation") { Description = "The organisation's id", Required = true };

        var root = new RootCommand("Operate an Embever Actors platform through its API, as the operator.") { url, tokenFile };

        var organisations = new Command("organisations", "List, create and re-key organisations.");
        var list = new Command("list", "List every organisation.");
        list.SetAction((parse, _) => Run(parse, async client =>
        {
            foreach (var o in await client.ListOrganisationsAsync())
            {
                output.WriteLine($"{o!["id"]}  {o["name"]}  (tokens live {o["max_token_lifespan_in_seconds"]} s, created {o["created_at"]})");
            }
        }));
        var name = new Option<string>("--name") { Description = "The organisation's name", Required = true };
        var lifespan = new Option<int?>("--token-lifespan") { Description = "Seconds an access token of the organisation lives (default 300)" };
        var create = new Command("create", "Create an organisation; prints its id, its webhook secret and its first token.") { name, lifespan };
        create.SetAction((parse, _) => Run(parse, async client =>
        {
            var created = await client.CreateOrganisationAsync(parse.GetValue(name)!, parse.GetValue(lifespan));
            output.WriteLine($"organisation {created["id"]}");
            output.WriteLine($"secret       {created["secret"]}");
            if (created["token"] is { } token)
            {
                output.WriteLine($"token        {token}");
            }
        }));
        var secret = new Option<string?>("--secret") { Description = "The new secret (a random one when left out)" };
        var rotate = new Command("rotate-secret", "Give an organisation a new webhook-signing secret (X-Org-Token); prints it.") { organisation, secret };
        rotate.SetAction((parse, _) => Run(parse, async client =>
        {
            var value = parse.GetValue(secret) ?? Security.Secrets.New();
            await client.RotateSecretAsync(parse.GetValue(organisation), value);
            output.WriteLine($"secret {value}");
        }));
        organisations.Subcommands.Add(list);
        organisations.Subcommands.Add(create);
        organisations.Subcommands.Add(rotate);

        var tokens = new Command("tokens", "Create and revoke tokens.");
        var alias = new Option<string>("--alias") { Description = "What the token is for", Required = true };
        var application = new Option<Guid?>("--application") { Description = "Make an application token of this application" };
        var expiry = new Option<DateTime?>("--expiry") { Description = "When it stops working (ISO 8601); never when left out" };
        var tokenCreate = new Command("create", "Create an organisation (or application) token; prints it once.") { organisation, alias, application, expiry };
        tokenCreate.SetAction((parse, _) => Run(parse, async client =>
        {
            var token = await client.CreateTokenAsync(parse.GetValue(organisation), parse.GetValue(alias)!, parse.GetValue(application), parse.GetValue(expiry)?.ToUniversalTime());
            output.WriteLine($"id    {token["id"]}");
            output.WriteLine($"token {token["token"]}");
        }));
        var tokenId = new Option<long>("--token") { Description = "The token's id", Required = true };
        var revoke = new Command("revoke", "Revoke a token: it and its access tokens stop working at once.") { organisation, tokenId };
        revoke.SetAction((parse, _) => Run(parse, async client =>
        {
            await client.RevokeTokenAsync(parse.GetValue(organisation), parse.GetValue(tokenId));
            output.WriteLine($"revoked {parse.GetValue(tokenId)}");
        }));
        tokens.Subcommands.Add(tokenCreate);
        tokens.Subcommands.Add(revoke);

        var devices = new Command("devices", "Provision devices.");
        var csv = new Option<FileInfo>("--csv") { Description = "A CSV file with a 'name' column (or one name per line)", Required = true };
        var passwords = new Option<FileInfo>("--passwords") { Description = "Where to write id,name,password (readable only by you)", Required = true };
        var activated = new Option<bool>("--activated") { Description = "Mark the devices in service" };
        var import = new Command("import", "Import devices from a CSV file in one transaction; their passwords go to a file only you can read.") { organisation, csv, passwords, application, activated };
        import.SetAction((parse, _) => Run(parse, async client =>
        {
            var names = DeviceNames.Read(parse.GetValue(csv)!.FullName);
            var target = parse.GetValue(passwords)!;
            if (target.Exists)
            {
                throw new AdminException($"{target.FullName} exists; passwords are never written over.");
            }

            var imported = (await client.ImportDevicesAsync(parse.GetValue(organisation), names, parse.GetValue(application), parse.GetValue(activated))).AsArray();
            SecretFile.Write(target.FullName, "id,name,password\n" + string.Concat(imported.Select(d => $"{d!["id"]},{DeviceNames.Quote(d["name"]!.GetValue<string>())},{d["password"]}\n")));
            output.WriteLine($"imported {imported.Count} device(s); passwords in {target.FullName}");
        }));
        devices.Subcommands.Add(import);

        var keys = new Command("keys", "The JWT signing keys: list and rotate (docs/operations.md).");
        var keysList = new Command("list", "List the signing keys by id, oldest first.");
        keysList.SetAction((parse, _) => Run(parse, async client =>
        {
            foreach (var key in await client.ListSigningKeysAsync())
            {
                output.WriteLine($"{key!["kid"]}  made {key["created_at"]}{(key["retired_at"] is { } retired ? $", retired {retired}" : "")}{(key["current"]!.GetValue<bool>() ? "  (signs)" : "")}");
            }
        }));
        var keysRotate = new Command("rotate", "Make a new signing key; tokens signed before keep working until they expire.");
        keysRotate.SetAction((parse, _) => Run(parse, async client =>
        {
            var key = await client.RotateSigningKeyAsync();
            output.WriteLine($"signing key {key["kid"]} signs from now on");
        }));
        keys.Subcommands.Add(keysList);
        keys.Subcommands.Add(keysRotate);

        root.Subcommands.Add(organisations);
        root.Subcommands.Add(keys);
        root.Subcommands.Add(tokens);
        root.Subcommands.Add(devices);
        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        async Task<int> Run(ParseResult parse, Func<AdminClient, Task> work)
        {
            try
            {
                var file = parse.GetValue(tokenFile)!;
                if (!File.Exists(file))
                {
                    throw new AdminException($"No operator token at {Path.GetFullPath(file)}; give --operator-token-file (it is in the platform's data directory).");
                }

                using var client = new AdminClient(new HttpClient { BaseAddress = new Uri(parse.GetValue(url)!) }, (await File.ReadAllTextAsync(file)).Trim());
                await work(client);
                return 0;
            }
            catch (Exception exception) when (exception is AdminException or HttpRequestException or IOException or JsonException)
            {
                error.WriteLine($"admin: {exception.Message}");
                return 1;
            }
        }
    }
}
