using CommerceManager.Tools;

// dotnet run --project tools/CommerceManager.Tools -c Release -- seed|bench [--database FILE] …
if (args is not ["seed", ..] and not ["bench", ..])
{
    Console.Error.WriteLine("Usage: seed [--customers N] [--addresses A] [--orders O] [--custom-fields N] [--database FILE]");
    Console.Error.WriteLine("       bench [--iterations N] [--database FILE]");
    return 2;
}
return await Commands.RunAsync(args);
