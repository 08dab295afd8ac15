// autocannon as a promise that rejects on its own errors (bad options, refused connections).
import autocannon from 'autocannon';

export function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
