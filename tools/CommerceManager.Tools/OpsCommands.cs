using System.Security.Cryptography;
using CommerceManager.Data;
using CommerceManager.Operations;
using CommerceManager.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tools;

/// <summary>
/// Operator commands against the app's own database and keys: the same configuration as the app (appsettings.json in
/// the current directory, then environment variables such as <c>ConnectionStrings__Default</c> and
/// <c>DataProtection__KeysPath</c>), so run them from where the app runs, with its environment.
/// </summary>
public static class OpsCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        var services = BuildServices(args);
        return args[0] switch
        {
            "rotate-signing-key" => await RotateSigningKeyAsync(services, args.Contains("--replace-unreadable")),
            "backup" => await BackupAsync(services, Option(args, "--to")),
            "restore" when Option(args, "--from") is { } from => await RestoreAsync(services, from, args.Contains("--force")),
            "unlock-staff" when args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) =>
                await UnlockStaffAsync(services, args[1], args.Contains("--new-password")),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("Usage: unlock-staff EMAIL [--new-password] | backup [--to FILE] | restore --from FILE [--force]");
        return 2;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>
    /// A consistent backup of the database and its Data Protection keys while the app runs (it need not stop), into
    /// FILE or a new file in Backup__Folder. Recorded on Settings → Backups like the console's.
    /// </summary>
    public static async Task<int> BackupAsync(IServiceProvider services, string? file)
    {
        var backups = services.GetRequiredService<BackupService>();
        var run = await backups.RunAsync(BackupTrigger.Tool, "tools backup", file, scheduledFor: null, CancellationToken.None);
        if (run is not { State: BackupState.Succeeded })
        {
            Console.Error.WriteLine($"The backup failed: {run?.Error}");
            return 1;
        }
        Console.WriteLine($"Backed up to {run.File} ({run.SizeBytes:N0} bytes in {(run.FinishedAt - run.StartedAt)!.Value.TotalSeconds:0.0} s).");
        return 0;
    }

    /// <summary>Puts a backup back (stop the app first); see <see cref="BackupRestore"/> for what it checks and refuses.</summary>
    public static async Task<int> RestoreAsync(IServiceProvider services, string from, bool force)
    {
        var result = await BackupRestore.RestoreAsync(services, Path.GetFullPath(from), force, CancellationToken.None);
        (result.Succeeded ? Console.Out : Console.Error).WriteLine(result.Message);
        return result.Succeeded ? 0 : 1;
    }

    private static ServiceProvider BuildServices(string[] args)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables();
        var database = Array.IndexOf(args, "--database");
        if (database >= 0 && database + 1 < args.Length)
        {
            builder.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = $"Data Source={args[database + 1]}" });
        }
        var config = builder.Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddCommerceManager(config, Directory.GetCurrentDirectory());
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// New tokens get a new signing key; the previous key keeps validating for 24 hours, so nobody is signed out.
    /// Instances pick the new key up within a minute. With --replace-unreadable, keys no instance can unseal (lost Data
    /// Protection keys) are thrown away: every API token ends.
    /// </summary>
    public static async Task<int> RotateSigningKeyAsync(IServiceProvider services, bool replaceUnreadable)
    {
        try
        {
            var id = await services.GetRequiredService<TokenService>().RotateAsync(discardExisting: replaceUnreadable);
            Console.WriteLine(replaceUnreadable
                ? $"Replaced every signing key with key {id}: all API and customer tokens have ended; clients get new ones by signing in again."
                : $"New tokens are signed with key {id}. Tokens signed with the previous key stay valid for 24 hours; other instances switch within a minute.");
            return 0;
        }
        catch (SigningKeyUnavailableException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>
    /// The way back in when every Admin is locked out: lifts the lockout and, with --new-password, sets a generated
    /// password (printed once) that has to be changed at the next sign-in.
    /// </summary>
    public static async Task<int> UnlockStaffAsync(IServiceProvider services, string email, bool newPassword)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            var known = await users.Users.OrderBy(u => u.Email).Select(u => u.Email).Take(20).ToListAsync();
            Console.Error.WriteLine($"No staff member has the email {email}. Staff: {string.Join(", ", known)}");
            return 1;
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        Console.WriteLine($"Unlocked {user.Email}.");
        if (newPassword)
        {
            var password = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
            user.MustChangePassword = true;
            var token = await users.GeneratePasswordResetTokenAsync(user);
            var result = await users.ResetPasswordAsync(user, token, password);
            if (!result.Succeeded)
            {
                Console.Error.WriteLine("Could not set a new password: " + string.Join(" ", result.Errors.Select(e => e.Description)));
                return 1;
            }
            Console.WriteLine($"Their password is now {password} (shown only this once); they choose their own at sign-in.");
        }
        return 0;
    }
}
