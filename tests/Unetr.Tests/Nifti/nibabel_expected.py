# Prints the expected values of NibabelFileTests.cs as C# dictionary entries. Not run by the tests: it records how
# the literals were produced. Needs nibabel (Debian 12: apt-get install python3-nibabel python3-numpy); run in
# nibabel's test data folder:
#   python3 nibabel_expected.py anatomical.nii example4d.nii.gz example_nifti2.nii.gz functional.nii \
#       standard.nii.gz reoriented_anat_moved.nii row_major.dconn.nii
# The two example4d entries then get QformTolerance added by hand (see RoundedHalfTurnTolerance).
import sys, numpy as np, nibabel as nib
from nibabel.openers import ImageOpener
def lit(x):
    x = float(x)
    if x == int(x) and abs(x) < 1e15: return str(int(x))
    return repr(x)
def mat(m): return "{ " + ", ".join("{ " + ", ".join(lit(v) for v in row) + " }" for row in np.asarray(m)) + " }"
for f in sys.argv[1:]:
    img = nib.load(f)
    raw = img.nifti_header if hasattr(img, 'nifti_header') else img.header
    d = np.asanyarray(img.dataobj).astype(np.float64) if hasattr(img,'nifti_header') else img.get_fdata(dtype=np.float64)
    shape = d.shape
    H = type(raw)
    with ImageOpener(f) as fo: hdr = H.from_fileobj(fo, check=False)
    big = hdr.endianness == '>'
    ver = 'Nifti2' if int(hdr['sizeof_hdr']) == 540 else 'Nifti1'
    dims = [int(x) for x in hdr['dim'][1:hdr['dim'][0]+1]]
    probes = [tuple(0 for _ in shape), tuple(s // 2 for s in shape), tuple(s - 1 for s in shape), tuple((2 * s) // 3 for s in shape)]
    print(f'["{f}"] = new(')
    print(f'    NiftiVersion.{ver}, NiftiByteOrder.{"BigEndian" if big else "LittleEndian"}, NiftiDataType.{ {2:"UInt8",4:"Int16",16:"Float32"}[int(hdr["datatype"])] },')
    print(f'    Dimensions: new long[] {{ {", ".join(map(str,dims))} }},')
    print(f'    PixDim: new double[] {{ {", ".join(lit(v) for v in hdr["pixdim"])} }},')
    print(f'    ScaleSlope: {lit(hdr["scl_slope"])}, ScaleIntercept: {lit(hdr["scl_inter"])},')
    print(f'    QformCode: {int(hdr["qform_code"])}, SformCode: {int(hdr["sform_code"])},')
    try: print(f'    Qform: new double[,] {mat(hdr.get_qform())},')
    except nib.spatialimages.HeaderDataError as e: print(f'    Qform: null, // nibabel: {e}')
    print(f'    Sform: new double[,] {mat(hdr.get_sform())},')
    has_code = int(hdr['sform_code']) > 0 or int(hdr['qform_code']) > 0
    print(f'    Affine: new double[,] {mat(img.affine)},' if has_code else '    Affine: null, // no xform code: nibabel centres the volume, the standard does not')
    print(f'    Sum: {lit(d.sum())}, Min: {lit(d.min())}, Max: {lit(d.max())},')
    # A CIFTI image drops the four leading singleton axes; the probes give all NIfTI indices.
    pad = (0,) * (len(dims) - len(shape))
    print(f'    Probes: new (long[], double)[] {{ ' + ", ".join(f'(new long[] {{ {", ".join(map(str, pad + p))} }}, {lit(d[p])})' for p in probes) + ' }),')
