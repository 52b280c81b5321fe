// MSBuild task (compiled by RoslynCodeTaskFactory, see build/TorchSharp.targets).
//
// TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) only because it references
// std::ios_base_library_init(), which it never calls. Debian 12 ships GLIBCXX_3.4.30, so the loader
// refuses the library. Marking that one version requirement weak (VER_FLG_WEAK in .gnu.version_r)
// makes glibc treat its absence as non-fatal. We patch the copy in the build/publish output only —
// never the NuGet cache — and write through a temp file so a hard link to the cache is never modified.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class PatchLibTorchSharp : Task
{
    const uint SHT_GNU_verneed = 0x6ffffffe;
    const ushort VER_FLG_WEAK = 0x2;

    [Required] public string Directory { get; set; } = "";
    public string VersionName { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            string outcome = MarkWeak(bytes, VersionName);
            if (outcome == "patched")
            {
                var tmp = file + ".patching";
                File.WriteAllBytes(tmp, bytes);
                File.Delete(file); // unlink, so a hard link into the NuGet cache keeps its bytes
                File.Move(tmp, file);
            }
            Log.LogMessage(MessageImportance.Normal, $"PatchLibTorchSharp: {file}: {outcome}");
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Returns "patched", "already weak" or "not required".</summary>
    static string MarkWeak(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != SHT_GNU_verneed) continue;
            int verneedOffset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int strtabIndex = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + strtabIndex * shentsize) + 0x18));
            int need = verneedOffset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < count; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, name);
                    if (Encoding.ASCII.GetString(elf, name, end - name) == versionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VER_FLG_WEAK) != 0) return "already weak";
                        BitConverter.GetBytes((ushort)(flags | VER_FLG_WEAK)).CopyTo(elf, aux + 4);
                        return "patched";
                    }
                    int nextAux = (int)BitConverter.ToUInt32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                int next = (int)BitConverter.ToUInt32(elf, need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return "not required";
    }
}
