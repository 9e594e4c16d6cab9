namespace CommerceManager.Common;

/// <summary>
/// Files that hold customers' personal data (exports, uploaded imports) are created readable by this app's user only
/// (0600 on Linux and macOS), as backups are.
/// </summary>
public static class OwnerOnlyFile
{
    public static FileStreamOptions Write(FileMode mode, int bufferSize = 64 * 1024)
    {
        var options = new FileStreamOptions
        {
            Mode = mode, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize, Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return options;
    }
}
