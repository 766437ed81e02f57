using Embever.Actors.Silo.Admin;
using Embever.Actors.Silo.Hosting;

if (args.Contains(HealthProbe.Flag))
{
    return await HealthProbe.RunAsync(args);
}

if (args.FirstOrDefault() == AdminCommand.Verb)
{
    return await AdminCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

// One process: an Orleans silo and the HTTP front end (/v2 and the device gateway).
var host = EmbeverHost.Build(args);
if (PortConflict.Check(host.Services.GetRequiredService<EmbeverOptions>(), host.Services.GetRequiredService<IConfiguration>()) is { } taken)
{
    Console.Error.WriteLine(taken);
    return 1;
}

try
{
    await host.RunAsync();
}
catch (Exception exception) when (PortConflict.FromException(exception) is { } refused)
{
    Console.Error.WriteLine(refused);
    return 1;
}

return 0;
