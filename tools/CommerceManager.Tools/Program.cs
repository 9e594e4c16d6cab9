using CommerceManager.Tools;

// dotnet run --project tools/CommerceManager.Tools -c Release -- seed|bench|rotate-signing-key|unlock-staff …
return args switch
{
    ["seed", ..] or ["bench", ..] or ["bench-transfer", ..] or ["bench-duplicates", ..] or ["bench-history", ..] or ["bench-move", ..] or ["seed-accounts", ..] => await Commands.RunAsync(args),
    ["soak", ..] => await Soak.RunAsync(args),
    ["rotate-signing-key", ..] or ["unlock-staff", ..] or ["backup", ..] or ["restore", ..] => await OpsCommands.RunAsync(args),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage: seed [--customers N] [--addresses A] [--orders O] [--custom-fields N] [--database FILE]");
    Console.Error.WriteLine("       bench [--iterations N] [--database FILE]");
    Console.Error.WriteLine("       bench-transfer [--rows N] [--database FILE]   (export every customer, import N generated rows into a new database)");
    Console.Error.WriteLine("       bench-duplicates [--database FILE]            (the duplicate scan, the first page of pairs, one merge and its undo)");
    Console.Error.WriteLine("       bench-history [--entries N] [--database FILE]     (tops history up to N entries; times the Activity page, a History tab and the home page)");
    Console.Error.WriteLine("       bench-move [--undo] [--database FILE]         (moves every customer to accounts, and back with --undo; run it on a copy)");
    Console.Error.WriteLine("       seed-accounts [--accounts N] [--database FILE]   (N accounts, each with a member, its password, a membership and an address)");
    Console.Error.WriteLine("       soak [--url URL] [--minutes 30] [--workers 8] [--pid PID] [--client-id ID --client-secret S]   (see tools/soak.sh)");
    Console.Error.WriteLine("       rotate-signing-key [--replace-unreadable]     (uses appsettings.json and the app's environment variables)");
    Console.Error.WriteLine("       unlock-staff EMAIL [--new-password]");
    Console.Error.WriteLine("       backup [--to FILE]                            (a consistent copy of the database and its keys while the app runs)");
    Console.Error.WriteLine("       restore --from FILE [--force]                 (stop the app first; --force replaces a database changed since the backup)");
    return 2;
}
