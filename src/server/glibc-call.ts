import type * as koffiModule from 'koffi';

type Koffi = typeof koffiModule;
type LibraryHandle = koffiModule.LibraryHandle;

/**
 * What `bind` makes of glibc's functions, or undefined where they cannot be reached: another C
 * library, a function this glibc lacks, or no prebuilt binding of koffi (a C FFI) for this platform.
 * Node binds none of the allocator's own calls, so the node reaches them here.
 */
export async function fromGlibc<T>(
  glibc: boolean,
  bind: (koffi: Koffi, libc: LibraryHandle) => T,
): Promise<T | undefined> {
  if (!glibc) return undefined;
  try {
    const koffi = await import('koffi');
    return bind(koffi, koffi.load('libc.so.6'));
  } catch {
    return undefined;
  }
}
