// Run by output_formats_test.cpp with ImageJ 1.53 (Debian libij-java) on the class path, headless, as a Java
// single-file program:
//   java -Djava.awt.headless=true -cp /usr/share/java/ij.jar ImageJCheck.java LABELS.tif ROIS.zip [MEASURE.tif]
// Prints the label TIFF's calibration and pixel sum / max as ImageJ reads them, then each ROI of the zip decoded by
// ij.io.RoiDecoder (what the ROI Manager's Open does for each .roi entry) and measured, with LABELS.tif's
// calibration, on MEASURE.tif (default LABELS.tif):
//   unit <unit> / pixel_width <w> / pixel_height <h> / size <w> <h> <bits> / pixels <sum> <max> /
//   measure_pixels <sum> <max> / roi <name> <pixelCount> <area, calibrated> <min> <max> ... / rois <n>
import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.measure.Calibration;
import ij.measure.Measurements;
import ij.process.ImageProcessor;
import ij.process.ImageStatistics;
import java.io.FileInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ImageJCheck {
  public static void main(String[] args) throws Exception {
    ImagePlus imp = IJ.openImage(args[0]);
    if (imp == null) throw new IllegalStateException("ImageJ cannot open " + args[0]);
    Calibration cal = imp.getCalibration();
    System.out.println("unit " + cal.getUnit());
    System.out.println("pixel_width " + cal.pixelWidth);
    System.out.println("pixel_height " + cal.pixelHeight);
    System.out.println("size " + imp.getWidth() + " " + imp.getHeight() + " " + imp.getBitDepth());
    System.out.println("pixels " + sumAndMax(imp));
    ImagePlus measure = imp;
    if (args.length > 2) {
      measure = IJ.openImage(args[2]);
      if (measure == null) throw new IllegalStateException("ImageJ cannot open " + args[2]);
      measure.setCalibration(cal);
    }
    System.out.println("measure_pixels " + sumAndMax(measure));
    int n = 0;
    try (ZipInputStream in = new ZipInputStream(new FileInputStream(args[1]))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null;) {
        String name = e.getName();
        if (!name.endsWith(".roi")) continue;
        Roi roi = new RoiDecoder(in.readAllBytes(), name).getRoi();
        if (roi == null) throw new IllegalStateException("ImageJ cannot decode " + name);
        measure.setRoi(roi);
        ImageStatistics s = measure.getStatistics(Measurements.AREA | Measurements.MIN_MAX);
        System.out.println("roi " + roi.getName() + " " + s.pixelCount + " " + s.area + " " + s.min + " " + s.max);
        n++;
      }
    }
    System.out.println("rois " + n);
  }

  static String sumAndMax(ImagePlus imp) {
    ImageProcessor ip = imp.getProcessor();
    long sum = 0;
    int max = 0;
    for (int y = 0; y < imp.getHeight(); y++)
      for (int x = 0; x < imp.getWidth(); x++) {
        sum += ip.get(x, y);
        max = Math.max(max, ip.get(x, y));
      }
    return sum + " " + max;
  }
}
