// The checks that refuse what cannot be made inert in a batch script or on sbatch's command line.
import { jobNameProblem, optionProblem, pathProblem } from './job-values';

describe('checks', () => {
  it('job names: letters, digits and ._+- only', () => {
    expect(jobNameProblem('segment-volume_2.a+b')).toBeNull();
    for (const bad of ['a;b', '$(x)', '`x`', "a'b", 'a\nb', 'a b', '', 'x'.repeat(129)]) {
      expect(jobNameProblem(bad)).not.toBeNull();
    }
  });

  it('paths: no ".." step, no newline', () => {
    expect(pathProblem('data/scan 1.nii.gz')).toBeNull();
    expect(pathProblem('/abs/..hidden/x')).toBeNull();
    for (const bad of ['../x', 'a/../../b', 'a/..', 'a\nb', 'a\0b']) {
      expect(pathProblem(bad)).not.toBeNull();
    }
  });

  it('Slurm option values: no spaces, quotes or leading dash', () => {
    expect(optionProblem('afterok:12:13')).toBeNull();
    expect(optionProblem('0-9%2')).toBeNull();
    for (const bad of ['--wrap=id', 'a b', 'a;b', "a'b"]) {
      expect(optionProblem(bad)).not.toBeNull();
    }
  });
});
