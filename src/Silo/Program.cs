using Embever.Actors.Silo.Hosting;

if (args.Contains(HealthProbe.Flag))
{
    return await HealthProbe.RunAsync(args);
}

// One process: an Orleans silo and the HTTP front end (/v2 and the device gateway).
await EmbeverHost.Build(args).RunAsync();
return 0;
