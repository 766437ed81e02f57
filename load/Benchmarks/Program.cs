using BenchmarkDotNet.Running;

// dotnet run -c Release --project load/Benchmarks -- --filter '*'   (see load/README.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
