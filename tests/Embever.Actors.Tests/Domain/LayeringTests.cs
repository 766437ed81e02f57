using System.Text.RegularExpressions;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Domain;

/// <summary>
/// <c>src/Api</c> speaks HTTP only: no SQL, no storage, no ids of its own making; <c>src/Grains</c>
/// owns every write and knows nothing of the Api.
/// </summary>
public sealed partial class LayeringTests
{
    [Fact]
    public void The_api_holds_no_sql_no_storage_and_allocates_no_ids()
    {
        var api = Path.Combine(SiloProcess.RepositoryRoot(), "src", "Api");
        var offences = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(api, f), Line: i + 1, Text: line)))
            .Where(l => Forbidden().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    [Fact]
    public void The_grains_know_nothing_of_the_api()
    {
        var grains = typeof(Devices.DeviceGrain).Assembly;
        Assert.DoesNotContain(grains.GetReferencedAssemblies(), a => a.Name == "Embever.Actors.Api");
        var project = File.ReadAllText(Path.Combine(SiloProcess.RepositoryRoot(), "src", "Grains", "Embever.Actors.Grains.csproj"));
        Assert.DoesNotContain("Api", project, StringComparison.Ordinal);
    }

    /// <summary>SQL statements, the database, index filters, id allocation.</summary>
    [GeneratedRegex(@"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|Database\b|IdBlockAllocator|ShortIds\.New|new Filter\(|NextAsync\(""|organisation_id|device_id|application_id)")]
    private static partial Regex Forbidden();
}
